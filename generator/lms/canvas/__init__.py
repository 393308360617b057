"""Canvas: the quiz export (QTI 1.2), its Student Analysis report, its gradebook import."""
