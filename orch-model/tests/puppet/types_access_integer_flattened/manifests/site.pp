$x = Integer[[1, 2]] warning($x)
site { }
