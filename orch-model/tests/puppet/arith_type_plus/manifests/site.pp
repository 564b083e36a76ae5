$x = Integer + 1
site { }
