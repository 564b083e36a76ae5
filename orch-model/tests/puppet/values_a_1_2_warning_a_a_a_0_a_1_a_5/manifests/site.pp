$a = [1, 2] warning("a=${a} ${a[0]} ${a[-1]} ${a[5]}")
site { }
