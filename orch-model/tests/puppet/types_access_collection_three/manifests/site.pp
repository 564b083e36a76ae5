$x = Collection[1, 2, 3]
site { }
