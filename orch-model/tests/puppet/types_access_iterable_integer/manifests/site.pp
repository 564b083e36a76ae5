$x = Iterable[1]
site { }
