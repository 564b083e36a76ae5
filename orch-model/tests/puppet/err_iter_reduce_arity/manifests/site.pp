$x = [1].reduce |$m| { 1 }
site { }
