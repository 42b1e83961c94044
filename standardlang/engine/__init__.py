"""Evaluation: verdicts and explanations (verdict, evaluate) and the public API that joins the stages (program)."""
