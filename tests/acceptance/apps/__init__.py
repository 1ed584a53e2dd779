"""The real applications of the acceptance suite, each with its builder and labelled truth."""
