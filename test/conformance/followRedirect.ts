// A stand-in for a browser, for $BROWSER: opens the URL it is given and follows its redirects,
// as a browser whose user approves the login at once would (the conformance suite's and the
// test authorization servers approve without a page).
const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: followRedirect URL\n');
  process.exit(2);
}
try {
  const response = await fetch(url);
  await response.text();
} catch (error) {
  process.stderr.write(`followRedirect: ${(error as Error).message}\n`);
}
