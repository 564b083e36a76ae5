warning(sprintf('%+d % d %05d', 3, 3, -42))
site { }
