"""``python -m creditbank``."""

from creditbank.cli import main

main()
