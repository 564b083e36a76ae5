$x = '5x' + 1
site { }
