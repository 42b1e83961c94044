"""The author's tools: linter, reasoning, formatter, docs generator, example runner, REPL, Pygments lexer, pytest plugin."""
