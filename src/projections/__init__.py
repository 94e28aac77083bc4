"""The read side of Xuncha: one module per read model, and the runner that feeds them."""
