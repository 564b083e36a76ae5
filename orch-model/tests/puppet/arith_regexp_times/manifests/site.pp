$x = /a/ * 2
site { }
