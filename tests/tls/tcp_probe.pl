# tcp_probe.pl PORT FILE - tls.test: connect to 127.0.0.1:PORT over plain
# TCP, send the contents of FILE, print whatever comes back within 3 s (or
# until the peer closes).  Exit 0 once connected, 2 when the connection
# fails.  Perl and IO::Socket::INET come with perl-base (Essential: yes).
use strict;
use warnings;
use IO::Socket::INET;

my ($port, $file) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
			      Proto => 'tcp', Timeout => 5);
unless ($s) {
	print STDERR "connect 127.0.0.1:$port: $!\n";
	exit 2;
}
open(my $f, '<', $file) or die "$file: $!\n";
binmode($f);
my $msg = do { local $/; <$f> };
binmode($s);
print $s $msg;
$s->flush;
my ($buf, $rin, $end) = ('', '', time + 3);
vec($rin, fileno($s), 1) = 1;
while (time < $end) {
	my $rout = $rin;
	next unless select($rout, undef, undef, 0.5) > 0;
	my $n = sysread($s, my $chunk, 4096);
	last unless $n;
	$buf .= $chunk;
}
binmode(STDOUT);
print $buf;
exit 0;
