$x = true + 1
site { }
