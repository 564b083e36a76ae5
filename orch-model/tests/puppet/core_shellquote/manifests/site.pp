warning(String(shellquote('a b', 'c', ['d$', "it's"], 'x"y', "a'b\$c", '')))
site { }
