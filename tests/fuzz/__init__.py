"""Hostile-input fuzzing: reusable hypothesis strategies and the checks that use them."""
