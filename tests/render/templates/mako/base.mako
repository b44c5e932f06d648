<html>
<body>
${self.body()}
<footer>${footer}</footer>
</body>
</html>
