"""Access exports: data.json, one CSV per collection and a readable report.html per person."""
