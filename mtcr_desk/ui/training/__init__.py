"""The training sandbox in the desktop application: the Training page and demonstrations."""
