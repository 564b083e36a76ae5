$x = Callable[1]
site { }
