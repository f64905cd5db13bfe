"""`python -m orders_cli ...`, the same as the `orders-cli` console script."""

from orders_cli.cli import main

main()
