"""Gradescope, where a paper exam is scanned and graded question by question: its
"Download Grades" CSV read back as each student's points per question (``report``), and,
for a class, the roster to upload and a grader's key in the order Gradescope lists the
submissions (``export``, ``--lms gradescope``)."""
