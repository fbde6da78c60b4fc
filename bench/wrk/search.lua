-- Cycles through the benchmark's queries (the same list as bench/src/main.rs).
local queries = {
  "giay+phep+xay+dung", "dang+ky+khai+sinh", "c%E1%BA%A5p+%C4%91%E1%BB%95i+c%C4%83n+c%C6%B0%E1%BB%9Bc",
  "ho+kinh+doanh", "giay+phep+lai+xe", "chung+thuc+ban+sao", "ly+lich+tu+phap", "dang+ky+ket+hon",
  "thue", "dat+dai", "giay+phpe", "xay+dun", "1.001612", "doanh+nghiep+tu+nhan",
  "ho+chieu+pho+thong", "khai+tu",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/procedures?q=" .. queries[(i % #queries) + 1])
end
