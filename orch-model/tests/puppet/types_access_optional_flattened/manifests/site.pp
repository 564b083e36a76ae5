$x = Optional[[String]] warning($x)
site { }
