"""Moodle: Moodle XML and GIFT exports, the quiz slots' marks, its Responses report and
grade import."""
