# Loading this file for other::thing defines other::extra too (Puppet's autoloader).
define other::thing() { }
define other::extra() { }
Other::Extra produces Cap { }
