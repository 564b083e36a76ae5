$x = [1].each
site { }
