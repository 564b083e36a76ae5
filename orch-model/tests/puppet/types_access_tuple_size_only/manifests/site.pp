$x = Tuple[1]
site { }
