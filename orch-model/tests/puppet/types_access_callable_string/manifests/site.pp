$x = Callable['x']
site { }
