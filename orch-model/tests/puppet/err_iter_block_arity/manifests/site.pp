$x = [1].map |$a, $b, $c| { 1 }
site { }
