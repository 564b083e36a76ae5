$x = 5 % 2.0
site { }
