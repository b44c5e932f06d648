<html>
<body>
<h1>${title}</h1>
<p>${name}</p>
<p>${explode()}</p>
</body>
</html>
