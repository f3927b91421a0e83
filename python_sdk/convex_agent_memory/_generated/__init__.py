"""PLACEHOLDER: replaced by the code generator's output."""
