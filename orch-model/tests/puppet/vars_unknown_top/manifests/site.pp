warning("e=${environment} cn=${clientcert} mn=${module_name}")
warning("f=${facts}")
warning("t=${trusted}")
warning("s=${server_facts}")
warning("x=${::osfamily} y=${nosuch} z=${foo::bar} n=${3}")
$q = $nosuch
site { }
