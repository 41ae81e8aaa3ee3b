"""Qt item models over the services (one QAbstractItemModel per table or tree)."""
