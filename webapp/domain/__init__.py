"""Pure domain rules: no Flask, no database; plain data in, plain data out."""
