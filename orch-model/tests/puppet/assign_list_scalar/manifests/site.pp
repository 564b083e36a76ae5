[$a, $b] = 1
site { }
