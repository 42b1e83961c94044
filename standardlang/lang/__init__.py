"""The front end: spec text → AST → checked, typed IR (parser, ast, checker, ir, types, units, model)."""
