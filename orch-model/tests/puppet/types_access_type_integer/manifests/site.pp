$x = Type[1]
site { }
