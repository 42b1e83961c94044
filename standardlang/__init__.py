"""standardlang: planning standards as checked, compiled, explained rules."""
