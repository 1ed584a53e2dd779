"""Pure value types, enums and errors. Imports nothing from the project and does no I/O."""
