$x = {} + 1
site { }
