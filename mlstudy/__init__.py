"""mlstudy: offline flashcards and a study plan for AWS machine-learning certifications."""

__version__ = "0.1.0"
