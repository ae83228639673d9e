"""Reading standards and portfolios from files, with located errors."""

from creditbank.loading.loader import (
    LoadReport,
    discover_files,
    load_documents,
    load_portfolio,
    load_portfolio_data,
    load_portfolio_text,
    load_standards,
)
from creditbank.loading.yaml_reader import Document, Limits, read_yaml_file, read_yaml_text

__all__ = [
    "Document",
    "Limits",
    "LoadReport",
    "discover_files",
    "load_documents",
    "load_portfolio",
    "load_portfolio_data",
    "load_portfolio_text",
    "load_standards",
    "read_yaml_file",
    "read_yaml_text",
]
