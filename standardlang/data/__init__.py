"""Input data: readers for JSON/JSONL/YAML/CSV/XLSX, the inventory of linked levels, record validation, schema export."""
