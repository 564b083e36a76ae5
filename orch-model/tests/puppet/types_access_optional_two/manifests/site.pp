$x = Optional[1, 2]
site { }
