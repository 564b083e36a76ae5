warning("${1 + 2}|${'x'.upcase}|${[1,2].map |$x| { $x * 2 }}")
site { }
