$x = Sensitive['x']
site { }
