//! The one way the API's routes are registered: a [`RouteTable`] that builds each actix
//! resource and records its method and path as it does.
//!
//! The server registers what the table built, and the OpenAPI tests read what it recorded
//! (through [`crate::startup::Application::routes`]), so the list the document is compared
//! with is the list the server serves: a route added here without documentation makes the
//! route-versus-document test fail, whatever platform it belongs to.

use actix_web::http::Method;
use actix_web::{FromRequest, Handler, Resource, Responder, web};

/// One route the server answers: a method on a path (in actix's and OpenAPI's shared
/// template syntax, `/api/data-deletion/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServedRoute {
    /// The HTTP method, upper case (`GET`).
    pub method: String,
    /// The path template.
    pub path: String,
}

/// Routes being registered: one actix resource per path (so a second method on a path is a
/// second route of the same resource, and a wrong method is a 405, not a fall-through), and
/// the list of what was registered.
#[derive(Default)]
pub struct RouteTable {
    resources: Vec<(String, Resource)>,
    routes: Vec<ServedRoute>,
}

impl std::fmt::Debug for RouteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteTable")
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

impl RouteTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `handler` for `method` on `path`.
    pub fn add<F, Args>(&mut self, method: Method, path: impl Into<String>, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add_resource(method, path.into(), handler, |resource| resource)
    }

    /// Serves `handler` for `method` on `path`, with `data` reachable as `web::Data<T>` by the
    /// handlers of that path only (the platform a route was registered for, say).
    pub fn add_with<T, F, Args>(
        &mut self,
        method: Method,
        path: impl Into<String>,
        data: web::Data<T>,
        handler: F,
    ) -> &mut Self
    where
        T: 'static,
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add_resource(method, path.into(), handler, |resource| {
            resource.app_data(data)
        })
    }

    fn add_resource<F, Args>(
        &mut self,
        method: Method,
        path: String,
        handler: F,
        with_data: impl FnOnce(Resource) -> Resource,
    ) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.routes.push(ServedRoute {
            method: method.as_str().to_owned(),
            path: path.clone(),
        });
        let route = web::route().method(method).to(handler);
        match self.resources.iter_mut().find(|(known, _)| *known == path) {
            Some((_, resource)) => {
                // `Resource`'s builder methods take it by value.
                let taken = std::mem::replace(resource, web::resource(path));
                *resource = with_data(taken.route(route));
            }
            None => {
                let resource = with_data(web::resource(path.clone()).route(route));
                self.resources.push((path, resource));
            }
        }
        self
    }

    /// What was registered so far, in order.
    pub fn routes(&self) -> &[ServedRoute] {
        &self.routes
    }

    /// Registers every resource on `cfg`.
    pub fn register(self, cfg: &mut web::ServiceConfig) {
        for (_, resource) in self.resources {
            cfg.service(resource);
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::{TestRequest, call_service, init_service};
    use actix_web::{App, HttpResponse};

    use super::*;

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().body("get")
    }

    async fn created() -> HttpResponse {
        HttpResponse::Created().body("post")
    }

    #[actix_web::test]
    async fn records_what_it_serves_and_groups_methods_by_path() {
        let table = || {
            let mut table = RouteTable::new();
            table
                .add(Method::GET, "/things", ok)
                .add(Method::POST, "/things", created)
                .add_with(Method::GET, "/things/{id}", web::Data::new(7_u8), ok);
            table
        };
        let recorded: Vec<(String, String)> = table()
            .routes()
            .iter()
            .map(|route| (route.method.clone(), route.path.clone()))
            .collect();
        assert_eq!(
            recorded,
            [
                ("GET".to_owned(), "/things".to_owned()),
                ("POST".to_owned(), "/things".to_owned()),
                ("GET".to_owned(), "/things/{id}".to_owned()),
            ]
        );

        let app = init_service(App::new().configure(|cfg| table().register(cfg))).await;
        let get = call_service(&app, TestRequest::get().uri("/things").to_request()).await;
        assert_eq!(get.status(), 200);
        let post = call_service(&app, TestRequest::post().uri("/things").to_request()).await;
        assert_eq!(post.status(), 201);
        // One resource per path: a method it does not have is refused there (405), not
        // passed on to another resource or the default service.
        let delete = call_service(&app, TestRequest::delete().uri("/things").to_request()).await;
        assert_eq!(delete.status(), 405);
        let one = call_service(&app, TestRequest::get().uri("/things/1").to_request()).await;
        assert_eq!(one.status(), 200);
    }
}
