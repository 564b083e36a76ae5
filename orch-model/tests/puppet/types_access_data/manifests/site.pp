$x = Data[1]
site { }
