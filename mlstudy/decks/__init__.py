"""Markdown decks: parse and validate card files, render cards to safe HTML."""
